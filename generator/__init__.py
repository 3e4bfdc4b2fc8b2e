"""A static-site generator for company blogs.

The build is a pipeline of small stages (see README, "How it is built"):
config -> content -> markdown -> site -> render/feeds/extras -> writer.
"""

__version__ = "0.1.0"
