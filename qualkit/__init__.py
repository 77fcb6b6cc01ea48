from qualkit.errors import QualkitError

__version__ = "0.1.0"
__all__ = ["QualkitError", "__version__"]
