"""Demo data: the five generated challenge bundles (`demo.bundles`) and the demo course
(`demo.course`). Not part of the apps; `manage.py loaddemo` calls it."""
