"""TF1's ``tensorflow.examples.tutorials.mnist`` package.

TF1 imported ``input_data`` here eagerly; it is loaded on first access instead, so importing the
package stays cheap.
"""


def __getattr__(name: str) -> object:
    if name == "input_data":
        import importlib

        return importlib.import_module(__name__ + ".input_data")
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
