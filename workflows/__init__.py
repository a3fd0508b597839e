"""The project life cycle (八步工作法, 四议两公开), kept free of Flask."""
