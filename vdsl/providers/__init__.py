"""Vertex AI model families: the model catalog, and (later) one adapter per wire format."""
