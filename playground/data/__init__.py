"""Datasets: the catalog of every dataset, generators, tables, images, CSV upload, the downloader, a drawn digit."""
