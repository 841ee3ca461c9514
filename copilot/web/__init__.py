"""The sidebar and knowledge manager pages: HTML, CSS and ES modules served by `copilot.api.routers.ui`."""
