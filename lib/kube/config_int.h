/*
 * Internals of lib/kube/config.c that its tests and fuzz target reach
 * (HS_UNITTEST_BUILD only): the kubeconfig loader fed from memory instead of
 * a file. Never include from outside lib/kube and its tests; production code
 * always reads kubeconfig files by path (kube/config.h).
 */
#ifndef HOIST_KUBE_CONFIG_INT_H
#define HOIST_KUBE_CONFIG_INT_H

#include <stddef.h>

#include "base/err.h"
#include "kube/config.h"

#ifdef HS_UNITTEST_BUILD
/* As kube_config_load_kubeconfig for one file whose bytes are
 * text[0..len) (borrowed; need not be NUL-terminated), named `name` in
 * messages; relative paths in it resolve against name's folder. out is
 * zeroed first; release it with kube_config_release even on error. */
enum hs_code kube__config_load_text(const char *name, const char *text, size_t len,
                                    const char *context, struct kube_config *out,
                                    struct hs_err *err);
#endif

#endif
