"""Helpers the tests share: real servers, real nodes, fixtures."""
