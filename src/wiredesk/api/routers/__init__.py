"""The API's routers, one per area; ``wiredesk.api.app`` mounts them."""
