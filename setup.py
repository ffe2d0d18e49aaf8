"""Packaging beyond setup.cfg: ship ``tftrain_compat_hook.pth`` in normal and editable installs.

A ``.pth`` file must lie at the top of site-packages. ``build_pth`` (a ``build`` sub-command)
copies it into ``build_lib``, whose top level a wheel installs into site-packages; for an
editable install (PEP 660, where ``build_lib`` is a scratch folder) it writes it into the
editable wheel's own tree, which is what setuptools installs.
"""
from __future__ import annotations

import os

from setuptools import Command, setup
from setuptools.command.build import build

PTH = "tftrain_compat_hook.pth"


class build_pth(Command):  # noqa: N801 (setuptools command names are lower case)
    description = "copy " + PTH + " to the top of the installed tree"
    user_options: list = []
    editable_mode = False

    def initialize_options(self) -> None:
        self.build_lib = None

    def finalize_options(self) -> None:
        self.set_undefined_options("build", ("build_lib", "build_lib"))

    def _target_dir(self) -> str:
        if self.editable_mode:  # the editable wheel's tree (install_lib points into it)
            return self.get_finalized_command("install").install_lib
        return self.build_lib

    def run(self) -> None:
        here = os.path.dirname(os.path.abspath(__file__))
        self.mkpath(self._target_dir())
        self.copy_file(os.path.join(here, PTH), os.path.join(self._target_dir(), PTH))

    def get_outputs(self) -> list:
        return [os.path.join(self._target_dir(), PTH)]

    def get_source_files(self) -> list:
        return [PTH]


build.sub_commands = build.sub_commands + [("build_pth", None)]

setup(cmdclass={"build_pth": build_pth})
