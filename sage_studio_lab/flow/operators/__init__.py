"""Built-in flow operators, one module per category."""
