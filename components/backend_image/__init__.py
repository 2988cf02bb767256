"""BackendImage: the backend container image, built here or taken pinned from CI."""
