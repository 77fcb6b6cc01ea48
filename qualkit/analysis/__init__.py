"""Analysis on coded material: embeddings, code suggestions, clustering, agreement."""
