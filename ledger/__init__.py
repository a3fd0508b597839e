"""The books (账簿): per-community double-entry ledger, kept free of Flask.

Every module here takes a SQLAlchemy ``Session`` (or plain values) so the same rules
serve the web application, the API, the command line and the background jobs.
"""
