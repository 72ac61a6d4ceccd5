"""The filter sidebar, generated from the filter table."""

from cdrdesk.ui.sidebar.sidebar import FilterSidebar

__all__ = ["FilterSidebar"]
