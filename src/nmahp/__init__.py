"""NMAHP Pathways: the regional NMAHP academic-careers study as a standing service."""

__version__ = "0.1.0"
