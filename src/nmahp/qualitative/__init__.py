"""Qualitative coding of open-text answers and interview transcripts: documents, a codebook with
parent and child codes, highlights by several coders, agreement, theme tables, quotes, REFI-QDA
exchange and suggested themes."""

from .model import Code, Codebook, Document, Highlight, Project, Segment

__all__ = ["Code", "Codebook", "Document", "Highlight", "Project", "Segment"]
