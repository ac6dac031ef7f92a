// Package all links every kernel suite into a binary; each family adds its
// import in its own file (norms.go, losses.go, ...).
package all
