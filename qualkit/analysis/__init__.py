"""Analysis over coded material: agreement between coders, and more."""
