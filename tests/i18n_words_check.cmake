# i18n_words_check.cmake — issue 16's "one translation source", shown: the
# certificate words are generated from the web's dictionaries, and a key the
# C uses that a dictionary lacks fails the build. Generates the header twice
# into a scratch folder, whole and without DROP, and compiles the verify
# page (credpage.c) against each: the whole one must compile, the other
# must fail naming the key's enum constant (I18N_CERT_PAGE_TITLE: the
# pages index the dictionaries' tables; I18N_ID_… are the texts). Then
# reads the C of everything the server prints itself (CHECK_FILES) for
# people-facing words written there instead of in the dictionaries.
#   cmake -DSRC=<source dir> -DCC=<compiler> -DWORK=<scratch> -DDROP=<key>
#         -DINCLUDES="<-I...;...>" -DCHECK_FILES="<server/cert/x.c;...>"
#         -P i18n_words_check.cmake
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
string(REGEX REPLACE "[^A-Z0-9]" "_" macro "I18N_${macro}")
if(dropped_rc EQUAL 0 OR NOT dropped_err MATCHES "${macro}")
  message(FATAL_ERROR "without ${DROP} in the dictionaries the verify page still compiled (${dropped_rc}): ${dropped_err}")
endif()
message(STATUS "without ${DROP} the build fails on ${macro}, as it must")

# The other half: no people-facing word is written in the C of what the
# server prints itself (the verify and achievement pages, the PDFs and the
# PDF signature). Rules over every string literal (comments stripped):
#  - no month name of the dictionaries, in either language, as a word;
#  - no literal is (or holds, for texts of two words or more) a text of the
#    dictionaries;
#  - HTML: no letters in a literal's text outside its tags (%s and
#    entities aside);
#  - no literal with letters is handed to what draws or writes text (show*,
#    put_pdf_string, put_text, credpage_row, credpage_escape).
# Names are not words to translate: the product's name and the Open Badges
# achievementType vocabulary (NAMES).
set(NAMES Sinau Certificate)
set(id_text "")
set(en_text "")
file(READ ${SRC}/web/i18n/id/certificate.json id_text)
file(READ ${SRC}/web/i18n/en/certificate.json en_text)
set(texts "")
set(months "")
foreach(lang id en)
  string(JSON n LENGTH "${${lang}_text}")
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    string(JSON key MEMBER "${${lang}_text}" ${i})
    string(JSON value GET "${${lang}_text}" "${key}")
    string(STRIP "${value}" value)
    string(REPLACE ";" "`" value "${value}")
    if(key MATCHES "^cert\\.month\\.")
      list(APPEND months "${value}")
    elseif(value MATCHES "[A-Za-z][A-Za-z][A-Za-z]")
      list(APPEND texts "${value}")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES texts)
# The problems of the files (paths under root) into out.
function(word_literals root files out)
set(problems "")
foreach(name ${files})
  file(READ ${root}/${name} code)
  string(REPLACE ";" "`" code "${code}")
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" code "${code}")
  string(REGEX REPLACE "#include[^\n]*" "" code "${code}")
  # a literal handed to a text-drawing or text-writing call
  string(REGEX MATCHALL "(show[a-z_]*|put_pdf_string|put_text|credpage_row|credpage_escape)\\([a-z]+, *([^`(),\"]*, *)?\"[^\"`]*[A-Za-z][A-Za-z][^\"`]*\"" calls "${code}")
  foreach(c ${calls})
    list(APPEND problems "${name}: a literal written as text: ${c}")
  endforeach()
  string(REGEX MATCHALL "\"([^\"\\\\\n]|\\\\.)*\"" lits "${code}")
  foreach(lit ${lits})
    string(REGEX REPLACE "^\"(.*)\"$" "\\1" raw "${lit}")
    string(REGEX REPLACE "\\\\." " " s "${raw}")
    foreach(name ${NAMES})
      string(REGEX REPLACE "(^|[^A-Za-z])${name}([^A-Za-z]|$)" "\\1 \\2" s "${s}")
    endforeach()
    foreach(m ${months})
      if(s MATCHES "(^|[^A-Za-z])${m}([^A-Za-z]|$)")
        list(APPEND problems "${name}: a month name in ${lit}")
      endif()
    endforeach()
    string(REGEX REPLACE "%[-+ #0-9.]*[a-z]+" " " bare "${s}")
    string(STRIP "${bare}" bare)
    foreach(t ${texts})
      if(bare STREQUAL t OR (t MATCHES " [A-Za-z]" AND s MATCHES "(^|[^A-Za-z])${t}"))
        list(APPEND problems "${name}: the dictionaries' \"${t}\" in ${lit}")
      endif()
    endforeach()
    if(raw MATCHES "<[A-Za-z/!]" OR raw MATCHES "\\\\\">")
      string(REGEX REPLACE "^[^<>]*>" "" html "${bare}")
      string(REGEX REPLACE "<[^<>]*>" " " html "${html}")
      string(REGEX REPLACE "<[^<>]*$" " " html "${html}")
      string(REGEX REPLACE "&#?[A-Za-z0-9]+;" " " html "${html}")
      if(html MATCHES "[A-Za-z][A-Za-z]")
        list(APPEND problems "${name}: words in the HTML of ${lit}")
      endif()
    endif()
  endforeach()
endforeach()
set(${out} "${problems}" PARENT_SCOPE)
endfunction()

# The rules must see a planted word: the verify page with "Diterbitkan"
# (the dictionaries' word for "Issued") written in its HTML.
file(READ ${SRC}/server/cert/credpage.c planted)
string(APPEND planted "\nstatic void planted(FILE *f)\n{\n    fputs(\"<p>Diterbitkan</p>\", f);\n}\n")
file(WRITE ${WORK}/planted/server/cert/credpage.c "${planted}")
word_literals(${WORK}/planted server/cert/credpage.c problems)
if(NOT problems)
  message(FATAL_ERROR "a word planted in the verify page's HTML was not seen")
endif()
word_literals(${SRC} "${CHECK_FILES}" problems)
if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "people-facing words written in C (they belong in web/i18n/<lang>/certificate.json):\n  ${text}")
endif()
list(LENGTH CHECK_FILES nfiles)
message(STATUS "no people-facing word literal in the ${nfiles} files")
