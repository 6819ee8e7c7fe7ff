# hoist-bench-aws (aws_bench.c): the AWS layer's measures of issue 5,
# decoding 1,000 node groups from XML and aws-CLI JSON, and the reuse of one
# TLS connection per endpoint against test/aws/tls_count_server.py (python3
# and the openssl CLI). Included by CMakeLists.txt here; see BENCHMARKS.md.
find_program(HOIST_BENCH_PYTHON3 python3)
add_executable(hoist-bench-aws "${CMAKE_CURRENT_LIST_DIR}/aws_bench.c")
target_link_libraries(hoist-bench-aws PRIVATE hoist_aws hoist_http hoist_model hoist_base
                      Libev::Libev hoist_warnings)
target_compile_definitions(hoist-bench-aws PRIVATE HOIST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
if(HOIST_BENCH_PYTHON3)
  target_compile_definitions(hoist-bench-aws PRIVATE HOIST_PYTHON3="${HOIST_BENCH_PYTHON3}")
endif()
if(HOIST_TESTS)
  add_test(NAME bench_smoke_aws_decode
           COMMAND hoist-bench-aws decode --groups 100 --iterations 1)
  set_tests_properties(bench_smoke_aws_decode PROPERTIES LABELS unit)
  find_program(HOIST_BENCH_OPENSSL openssl)
  if(HOIST_BENCH_PYTHON3 AND HOIST_BENCH_OPENSSL)
    # Not only a smoke run: --check fails it when sequential calls stop
    # sharing one connection or concurrent ones exceed the per-host cap.
    add_test(NAME bench_smoke_aws_tls
             COMMAND hoist-bench-aws tls --sequential 10 --concurrent 12 --delay-ms 20 --check)
    set_tests_properties(bench_smoke_aws_tls PROPERTIES LABELS unit TIMEOUT 120)
  endif()
endif()
