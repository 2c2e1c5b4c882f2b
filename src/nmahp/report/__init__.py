"""The report's chapter 5 regenerated from data, as HTML, DOCX (what commissioners edit) and PDF."""

from .document import SurveyData, build_report
from .docx import render_docx
from .html import render_html, render_pdf
from .model import DataTable, Figure, Heading, Paragraph, Report

__all__ = ["DataTable", "Figure", "Heading", "Paragraph", "Report", "SurveyData", "build_report", "render_docx",
           "render_html", "render_pdf"]
