# CALLGATE_SANITIZE=address,undefined builds everything with those sanitizers.
if(CALLGATE_SANITIZE)
  add_compile_options(-fsanitize=${CALLGATE_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${CALLGATE_SANITIZE})
  add_compile_definitions(CALLGATE_SANITIZED)  # for the few tests sanitizers cannot run
endif()
