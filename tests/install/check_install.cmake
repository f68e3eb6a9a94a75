# check_install.cmake — run by ctest's install_test (see CMakeLists.txt beside it):
#   cmake -DBUILD_DIR=... -DPREFIX=... -DCONSUMER_SOURCE=... -DCONSUMER_BINARY=... -DGENERATOR=...
#         -DCXX=... -P check_install.cmake
# Fails (FATAL_ERROR, non-zero exit) naming the first thing missing or wrong.
file(REMOVE_RECURSE ${PREFIX} ${CONSUMER_BINARY})

execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} failed (${rc}):\n${out}\n${err}")
endif()

# Every file a desktop and a CMake consumer look for.
file(GLOB gor_config_dir LIST_DIRECTORIES true ${PREFIX}/lib*/cmake/gor ${PREFIX}/lib/*/cmake/gor)
if(NOT gor_config_dir)
  message(FATAL_ERROR "no lib/cmake/gor under ${PREFIX}")
endif()
list(GET gor_config_dir 0 gor_config_dir)
file(GLOB engine_lib ${PREFIX}/lib*/libgor_engine.a ${PREFIX}/lib/*/libgor_engine.a)
if(NOT engine_lib)
  message(FATAL_ERROR "no libgor_engine.a under ${PREFIX}/lib*")
endif()
foreach(f
    ${PREFIX}/bin/goroscope
    ${PREFIX}/bin/goroscope-cli
    ${PREFIX}/share/applications/goroscope.desktop
    ${PREFIX}/share/mime/packages/goroscope.xml
    ${PREFIX}/share/icons/hicolor/scalable/apps/goroscope.svg
    ${PREFIX}/include/gor/gor.hpp
    ${PREFIX}/include/gor/trace.hpp
    ${gor_config_dir}/gorConfig.cmake
    ${gor_config_dir}/gorConfigVersion.cmake
    ${gor_config_dir}/gorTargets.cmake)
  if(NOT EXISTS ${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# Both installed binaries run from the prefix (no path into the build tree).
execute_process(COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen ${PREFIX}/bin/goroscope --help
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(FIND "${out}" "--screenshot" at)
if(NOT rc EQUAL 0 OR at EQUAL -1)
  message(FATAL_ERROR "installed goroscope --help failed (${rc}): ${out}${err}")
endif()

# The .desktop entry opens .gortrace files, and the MIME package defines that type.
file(READ ${PREFIX}/share/applications/goroscope.desktop desktop)
foreach(line "Exec=goroscope %f" "Icon=goroscope" "MimeType=application/x-gortrace;")
  string(FIND "${desktop}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "goroscope.desktop lacks '${line}'")
  endif()
endforeach()
file(READ ${PREFIX}/share/mime/packages/goroscope.xml mime)
foreach(part "<mime-type type=\"application/x-gortrace\">" "<glob pattern=\"*.gortrace\"/>" "value=\"GORTRACE\"")
  string(FIND "${mime}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "goroscope.xml lacks '${part}'")
  endif()
endforeach()
find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
if(DESKTOP_FILE_VALIDATE)
  execute_process(COMMAND ${DESKTOP_FILE_VALIDATE} ${PREFIX}/share/applications/goroscope.desktop
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "desktop-file-validate: ${out}${err}")
  endif()
endif()
find_program(XMLLINT xmllint)
if(XMLLINT)
  execute_process(COMMAND ${XMLLINT} --noout ${PREFIX}/share/mime/packages/goroscope.xml
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "goroscope.xml is not well-formed XML: ${err}")
  endif()
endif()

execute_process(COMMAND ${PREFIX}/bin/goroscope-cli list RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(FIND "${out}" "worker-pool" at)
if(NOT rc EQUAL 0 OR at EQUAL -1)
  message(FATAL_ERROR "installed goroscope-cli list failed (${rc}): ${out}${err}")
endif()

# A consumer project finds the engine with find_package(gor) and links gor::engine.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE} -B ${CONSUMER_BINARY} -G ${GENERATOR}
                        -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${PREFIX}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer project did not configure against ${PREFIX} (${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${CONSUMER_BINARY} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer project did not build (${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND ${CONSUMER_BINARY}/gor_consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "sum 285\n")
  message(FATAL_ERROR "gor_consumer: exit ${rc}, printed '${out}' (want 'sum 285'): ${err}")
endif()
message(STATUS "installed and consumed: ${PREFIX}")
