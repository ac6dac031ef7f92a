// Package all links every backend into a binary; each backend adds its
// import in its own file.
package all
