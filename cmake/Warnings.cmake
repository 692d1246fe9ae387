# callgate_warnings(target): the warning set every target builds with; warnings are errors.
function(callgate_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wold-style-cast
                                           # Aggregates like Error{"message"} rely on member defaults.
                                           -Wno-missing-field-initializers)
  # g++ 12 at -O3 (Release) reports -Wrestrict on `"literal" + std::string` inside libstdc++ and
  # -Wmaybe-uninitialized on std::string members of aggregates: known false positives of that
  # compiler. There they stay warnings instead of stopping the build; the default build
  # (RelWithDebInfo, -O2) keeps them errors.
  target_compile_options(${target} PRIVATE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>,$<CONFIG:Release>>:-Wno-error=restrict;-Wno-error=maybe-uninitialized>)
endfunction()
