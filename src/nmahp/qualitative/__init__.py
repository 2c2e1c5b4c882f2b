"""Qualitative coding of open-text answers and interview transcripts: documents, a codebook with
parent and child codes, highlights by several coders, agreement, theme tables, quotes, REFI-QDA
exchange and suggested themes."""

from .model import Code, Codebook, CodeSet, Document, Highlight, Note, Project, Segment

__all__ = ["Code", "Codebook", "CodeSet", "Document", "Highlight", "Note", "Project", "Segment"]
