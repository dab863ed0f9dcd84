// request_scope.cpp - see request_scope.h.
#include "pipeline/request_scope.h"

namespace wsgi {

namespace {
thread_local RequestScope* t_scope = nullptr;
}

RequestScope::RequestScope(Transport& t) : transport_(t), prev_(t_scope) { t_scope = this; }

RequestScope::~RequestScope()
{
    t_scope = prev_;
    for (const Partial& p : partial_)
        if (!p.text.empty()) log_lines(transport_.log_target(), p.level, "WSGIS0201", p.text);
}

Transport* RequestScope::current() { return t_scope ? &t_scope->transport_ : nullptr; }

LogTarget RequestScope::target_or(server_rec* fallback)
{
    return t_scope ? t_scope->transport_.log_target() : LogTarget::of(fallback);
}

std::string* RequestScope::partial_line(const void* stream, int level)
{
    RequestScope* scope = t_scope;
    if (!scope) return nullptr;
    for (Partial& p : scope->partial_)
        if (p.stream == stream) return &p.text;
    scope->partial_.push_back(Partial{stream, level, {}});
    return &scope->partial_.back().text;
}

}  // namespace wsgi
