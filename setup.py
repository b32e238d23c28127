"""Build hook for the C scoring kernel (`model/_kernel.c`); all other metadata is in pyproject."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "model._kernel",
            ["model/_kernel.c"],
            extra_compile_args=["-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"],
        )
    ]
)
