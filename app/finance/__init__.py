"""The street finance area: books, vouchers, reports (the web side of ``ledger/``)."""
