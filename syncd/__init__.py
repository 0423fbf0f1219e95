"""syncd: one master inventory that every marketplace follows."""

__version__ = "0.1.0"
