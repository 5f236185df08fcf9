"""Transcription pipeline: placeholder replaced by the transcription issue."""
