"""The People screen: the directory as a table edited in place, file import with a preview, org chart."""
