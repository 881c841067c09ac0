# Read by ctest (TEST_INCLUDE_FILES in tests/CMakeLists.txt) after the GoogleTest tests discovered
# from the built executables: adds the label `concurrency` to each test that runs our code on
# several threads at once, so that `scripts/test --tsan` (ThreadSanitizer) can select them with
# `ctest -L concurrency`. Each test keeps its suite's label. A pattern that matches no test is an
# error, so that a renamed test cannot drop out of the ThreadSanitizer run unnoticed.

set(kkr_concurrency_patterns
    # unit: the read model (snapshots swapped under readers, commits applied while a load or the
    # feed runs), and turns per key (patches of one row; one stuck on the database)
    "^ReadModel\\." "^KeyTurns\\." "^RegisterCommandsTest\\.APatchWaitsForItsRowsTurn"
    # unit: the semaphore that workers and grouped writes sleep on
    "^Semaphore\\."
    # api_unit: the worker threads' pool (a job's captures let go outside its lock)
    "^WorkPool\\."
    # integration: racing writers, the pool, the change feed, idempotency, migrate and seed at once
    "^WriterConcurrency\\." "^ChangeFeedTest\\.AClientMirrorsThePersonTableExactlyUnderConcurrent"
    "^Database\\.ABusyPoolAnswersUnavailable" "^IdempotentCreateTest\\.ConcurrentCreates"
    "^Migrator\\.ConcurrentRuns" "^Seed\\.TwoSeedsAtOnce" "^ReadModelFeedTest\\."
    # integration: each thread's own keyed HMAC context
    "^ApiKeyStoreTest\\.EveryThreadAndEveryStoreHashesWithItsOwnSecret"
    # integration: writes that share a statement (who leads, who waits, what each gets)
    "^WriteGroups\\." "^GroupedWrites\\."
    # http: reactor threads and workers, shutdown, the key cache, concurrent writes over HTTP
    "^Workers\\." "^Shutdown\\." "^KeyCache\\." "^Writes\\.TwentyConcurrentPatches"
    "^Writes\\.ConcurrentPatches" "^Rules\\.RacingForTheLastSeat"
    "^Idempotency\\.ConcurrentRequests"
    # http: a mirror from the export and the feed while writers run; list walks across writes
    "^MirrorHttp\\." "^ListVersionHttp\\.NextStaysOnTheVersion")

set(kkr_concurrency_matched "")
foreach(kkr_suite unit api_unit integration http)
  if(kkr_suite STREQUAL "api_unit")
    set(kkr_label unit)
  else()
    set(kkr_label ${kkr_suite})
  endif()
  foreach(kkr_test IN LISTS kkr_${kkr_suite}_tests_TESTS)
    foreach(kkr_pattern IN LISTS kkr_concurrency_patterns)
      if(kkr_test MATCHES "${kkr_pattern}")
        set_tests_properties("${kkr_test}" PROPERTIES LABELS "${kkr_label};concurrency")
        list(APPEND kkr_concurrency_matched "${kkr_pattern}")
      endif()
    endforeach()
  endforeach()
endforeach()

# A check of this file itself, once the executables are built (before that, ctest lists
# *_NOT_BUILT placeholders): every pattern names at least one test.
if(DEFINED kkr_unit_tests_TESTS)
  set(kkr_unmatched "")
  foreach(kkr_pattern IN LISTS kkr_concurrency_patterns)
    list(FIND kkr_concurrency_matched "${kkr_pattern}" kkr_found)
    if(kkr_found EQUAL -1)
      string(APPEND kkr_unmatched " ${kkr_pattern}")
    endif()
  endforeach()
  if(kkr_unmatched)
    add_test(ConcurrencyLabels.EveryPatternMatchesATest sh -c
             "echo 'tests/concurrency_labels.cmake: no test matches:${kkr_unmatched}'; exit 1")
  else()
    add_test(ConcurrencyLabels.EveryPatternMatchesATest sh -c "exit 0")
  endif()
  set_tests_properties(ConcurrencyLabels.EveryPatternMatchesATest PROPERTIES LABELS
                                                                   "unit;concurrency")
endif()
