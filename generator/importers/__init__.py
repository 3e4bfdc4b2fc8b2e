"""`blog import`: an existing blog's export -> posts, pages, authors, pictures and comments.

Each source has a reader (wordpress.py, blogger.py, ghost.py, medium.py, feed.py) that turns
its export into an `Export` (model.py) of plain data: clean HTML bodies, aware dates, old
URLs, old feed ids, approved comments. Everything after that is shared: the bodies become
Markdown (convert.py), pictures are found or fetched (media.py), and the files are planned in
memory and written only when the whole export has been read (plan.py, run.py).
"""
