from django.contrib.staticfiles.finders import FileSystemFinder

# The minified Leaflet.markercluster names a source map its package does not ship, which the
# hashed storage of production refuses; the map page uses the -src.js build, whose map is there.
NOT_COLLECTED = ["leaflet.markercluster.js"]


class PackageAssetsFinder(FileSystemFinder):
    """STATICFILES_DIRS, less the package files that must not be collected."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *NOT_COLLECTED])
