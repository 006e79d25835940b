# Fails when a file under src/ includes a layer above its own (cmake -DSOURCE_DIR=... -P this).
# Each layer may include itself and the layers listed for it; the libraries in CMakeLists.txt
# link the same way, so an include this allows is also one the linker can satisfy. Includes
# that name no layer (system headers, tests/support) are not checked.
#   core    <- crypto <- store <- service <- api <- cli
#   core    <- http   <- api
set(allowed_core    core)
set(allowed_crypto  core crypto)
set(allowed_store   core crypto store)
set(allowed_service core crypto store service)
set(allowed_http    core http)
set(allowed_api     core crypto store service http api)
set(allowed_cli     core crypto store service http api cli)
set(layers core crypto store service http api cli)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "check_layers.cmake: pass -DSOURCE_DIR=<the repository>")
endif()

set(violations "")
foreach(layer ${layers})
  file(GLOB_RECURSE files "${SOURCE_DIR}/src/${layer}/*.cpp" "${SOURCE_DIR}/src/${layer}/*.hpp")
  foreach(file ${files})
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[a-z_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([a-z_]+)/.*" "\\1" target "${line}")
      list(FIND layers "${target}" is_layer)
      if(is_layer EQUAL -1)
        continue()
      endif()
      list(FIND allowed_${layer} "${target}" ok)
      if(ok EQUAL -1)
        file(RELATIVE_PATH rel "${SOURCE_DIR}" "${file}")
        string(STRIP "${line}" line)
        list(JOIN allowed_${layer} ", " below)
        string(APPEND violations "\n  ${rel}: ${line} (${layer} may include only: ${below})")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "upward includes break the layering:${violations}")
endif()
message(STATUS "layering: every include points down")
