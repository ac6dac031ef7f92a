package main



func w4g()       {}
func iou()       {}
