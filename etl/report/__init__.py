"""Reports people read: terminal summaries and the self-contained HTML run report."""

from etl.report.summary import WarehouseSummary, format_status, format_summary, summarise

__all__ = ["WarehouseSummary", "format_status", "format_summary", "summarise"]
