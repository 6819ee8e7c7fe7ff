/*
 * The shared half of lib/http's tests (see harness.h): spawning server.py
 * and reading the port it prints, and a watchdog-guarded ev_run. It must
 * never leave the server running after the test process exits: the server
 * stops when its stdin closes, which the kernel does for us on any exit.
 */
#include "harness.h"

#include "hs_test.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

int test_server_start(struct test_server *s, const char *const *extra_args)
{
    return test_script_start(s, "test/unit/http/server.py", extra_args);
}

int test_script_start(struct test_server *s, const char *rel_path, const char *const *extra_args)
{
    const char *src = getenv("HOIST_SOURCE_DIR");
    char script[4096];
    snprintf(script, sizeof(script), "%s/%s", src ? src : ".", rel_path);
    const char *argv[16] = { "python3", script };
    size_t n = 2;
    for (size_t i = 0; extra_args && extra_args[i] && n < 15; i++)
        argv[n++] = extra_args[i];
    argv[n] = NULL;

    int in[2], out[2];
    if (pipe(in) || pipe(out)) {
        perror("pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execvp("python3", (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    s->pid = pid;
    s->stdin_fd = in[1];
    s->port = 0;

    char line[64];
    size_t len = 0;
    while (len + 1 < sizeof(line)) {
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        int pr = poll(&p, 1, 60000);
        if (pr <= 0) {
            fprintf(stderr, "%s did not print its port within 60 s\n", rel_path);
            break;
        }
        ssize_t r = read(out[0], line + len, 1);
        if (r <= 0) {
            fprintf(stderr, "%s exited before printing its port\n", rel_path);
            break;
        }
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(out[0]);
    if (sscanf(line, "PORT %d", &s->port) != 1 || s->port <= 0) {
        test_server_stop(s);
        return -1;
    }
    return 0;
}

void test_server_stop(struct test_server *s)
{
    if (s->stdin_fd >= 0)
        close(s->stdin_fd);
    s->stdin_fd = -1;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    s->pid = 0;
}

static void watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    *(bool *)w->data = true;
    ev_break(loop, EVBREAK_ALL);
}

void test_run_loop(struct ev_loop *loop, double limit_s)
{
    bool fired = false;
    ev_timer wd;
    ev_timer_init(&wd, watchdog, limit_s, 0.0);
    wd.data = &fired;
    ev_timer_start(loop, &wd);
    ev_unref(loop); /* the watchdog alone does not keep the loop running */
    ev_run(loop, 0);
    ev_ref(loop);
    ev_timer_stop(loop, &wd);
    if (fired)
        fail_msg("the loop still had live watchers after %.0f s", limit_s);
}

double test_now(struct ev_loop *loop)
{
    ev_now_update(loop);
    return ev_now(loop);
}

int test_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
        getsockname(fd, (struct sockaddr *)&a, &alen)) {
        fail_msg("cannot bind a loopback socket");
    }
    close(fd);
    return ntohs(a.sin_port);
}
