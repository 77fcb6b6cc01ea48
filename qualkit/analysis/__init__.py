"""Analysis over coded material: embeddings, code suggestions, clustering, agreement."""
