"""Bulk article import: streaming parsers per format -> one import service -> a report.

`claims.importing.service.article_import` is the one entry point (command, admin, task).
"""
