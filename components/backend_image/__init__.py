"""BackendImage: the backend container image, built here or taken pinned from CI."""

from components.backend_image.component import BackendImage, BackendImageArgs

__all__ = ["BackendImage", "BackendImageArgs"]
