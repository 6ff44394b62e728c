# ember_add_backend(<name> SOURCES ... [LINK ...] [VERSION v] [NO_INSTALL])
#   Builds libember-backend-<name>.so, a MODULE library against Ember::sdk
#   only, into the plugin directory (EMBER_PLUGIN_OUTPUT_DIR when set, else
#   the current binary dir) and installs it beside the core library.
# ember_add_plugin(<name> ...) does the same for libember-plugin-<name>.so.
function(_ember_add_module kind name)
  cmake_parse_arguments(ARG "NO_INSTALL" "VERSION" "SOURCES;LINK" ${ARGN})
  set(target ember-${kind}-${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  if(TARGET Ember::sdk)
    target_link_libraries(${target} PRIVATE Ember::sdk)
  else()
    target_link_libraries(${target} PRIVATE ember_sdk)
  endif()
  if(ARG_LINK)
    target_link_libraries(${target} PRIVATE ${ARG_LINK})
  endif()
  if(NOT ARG_VERSION)
    set(ARG_VERSION "${PROJECT_VERSION}")
  endif()
  target_compile_definitions(${target} PRIVATE EMBER_VERSION_STRING="${ARG_VERSION}")
  set_target_properties(${target} PROPERTIES
    PREFIX "lib" OUTPUT_NAME "ember-${kind}-${name}"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED EMBER_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${EMBER_PLUGIN_OUTPUT_DIR})
  endif()
  # A plugin never links the core, so it never duplicates the core's
  # registries (Note [Plugin lifetime] in core/src/plugin/loader.cpp).
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  if(NOT ARG_NO_INSTALL)
    include(GNUInstallDirs)
    install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/ember/plugins)
  endif()
endfunction()

function(ember_add_backend name)
  _ember_add_module(backend ${name} ${ARGN})
  # `ember-backends` builds every backend of a project that defines it.
  if(TARGET ember-backends)
    add_dependencies(ember-backends ember-backend-${name})
  endif()
endfunction()

function(ember_add_plugin name)
  _ember_add_module(plugin ${name} ${ARGN})
endfunction()
