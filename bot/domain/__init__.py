"""The rules, one module per capability. Takes storage and a clock; never imports telegram or handlers."""
