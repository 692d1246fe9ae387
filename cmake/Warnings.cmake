# callgate_warnings(target): the warning set every target builds with; warnings are errors.
function(callgate_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wold-style-cast
                                           # Aggregates like Error{"message"} rely on member defaults.
                                           -Wno-missing-field-initializers)
endfunction()
