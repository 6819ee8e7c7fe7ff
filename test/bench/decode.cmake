# hoist-bench-decode (decode_bench.c): the decode-throughput workload of
# issue 3 as its own program, since hoist-bench links only the simulator's
# side and has no table to add a workload to. Included by CMakeLists.txt here.
add_executable(hoist-bench-decode "${CMAKE_CURRENT_LIST_DIR}/decode_bench.c")
target_link_libraries(hoist-bench-decode PRIVATE hoist_kube hoist_model hoist_base hoist_warnings)
if(HOIST_TESTS)
  add_test(NAME bench_smoke_decode COMMAND hoist-bench-decode --pods 200)
  set_tests_properties(bench_smoke_decode PROPERTIES LABELS unit)
endif()
