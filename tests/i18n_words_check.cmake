# i18n_words_check.cmake — issue 16's "one translation source", shown: the
# certificate words are generated from the web's dictionaries, and a key the
# C uses that a dictionary lacks fails the build. Generates the header twice
# into a scratch folder, whole and without DROP, and compiles the verify
# page (credpage.c) against each: the whole one must compile, the other
# must fail naming the key's macro.
#   cmake -DSRC=<source dir> -DCC=<compiler> -DWORK=<scratch> -DDROP=<key>
#         -DINCLUDES="<-I...;...>" -P i18n_words_check.cmake
set(gen ${SRC}/server/cert/i18n_words.cmake)
foreach(variant whole dropped)
  set(dir ${WORK}/${variant})
  file(MAKE_DIRECTORY ${dir}/sinau/cert)
  set(drop "")
  if(variant STREQUAL "dropped")
    set(drop -DDROP=${DROP})
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -DID_JSON=${SRC}/web/i18n/id/certificate.json
            -DEN_JSON=${SRC}/web/i18n/en/certificate.json -DOUT=${dir}/sinau/cert/i18n_words.h
            ${drop} -P ${gen}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "generating the ${variant} header failed")
  endif()
  execute_process(
    COMMAND ${CC} -std=c11 -fsyntax-only -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
            -I${dir} -I${SRC}/include ${INCLUDES} ${SRC}/server/cert/credpage.c
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  set(${variant}_rc ${rc})
  set(${variant}_err "${err}")
endforeach()
if(NOT whole_rc EQUAL 0)
  message(FATAL_ERROR "credpage.c does not compile against the whole dictionaries:\n${whole_err}")
endif()
string(TOUPPER "${DROP}" macro)
string(REGEX REPLACE "[^A-Z0-9]" "_" macro "I18N_ID_${macro}")
if(dropped_rc EQUAL 0 OR NOT dropped_err MATCHES "${macro}")
  message(FATAL_ERROR "without ${DROP} in the dictionaries the verify page still compiled (${dropped_rc}): ${dropped_err}")
endif()
message(STATUS "without ${DROP} the build fails on ${macro}, as it must")
