// package.h - what the runtime gives every interpreter: the builtin module
// _wsgiscript (its functions come from every layer, RuntimeOptions) and the
// import hook that serves the python/wsgiscript package compiled into the
// module. GIL held, the interpreter current.
#pragma once

#include "base/httpd.h"

#include <vector>

namespace wsgi {

// _wsgiscript with `multithread` and the functions of `tables`.
bool install_private_module(bool multithread, const std::vector<PyMethodDef*>& tables);

// The finder for the embedded wsgiscript package (first on sys.meta_path).
bool install_package_finder();

}  // namespace wsgi
