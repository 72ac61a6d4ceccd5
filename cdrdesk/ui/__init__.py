"""The Qt layer: the review window and its parts."""
