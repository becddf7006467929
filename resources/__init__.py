"""Files shipped with slaapp, installed as the package `slaapp.resources`."""
