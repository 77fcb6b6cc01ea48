"""The Textual coding app: one face on the Project API (no SQL or model code here)."""
