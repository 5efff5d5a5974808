"""Vetra core API: owns every table and every rule."""
