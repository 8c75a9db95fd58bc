{
  "targets": [
    {
      "target_name": "pidgeon",
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "native/binding.cc",
            "native/sysdir.cc",
            "native/socket.cc",
            "native/memfd.cc",
            "native/receiver.cc",
            "native/writable.cc",
            "native/send_thread.cc",
            "native/pidwatch.cc",
            "native/process.cc"
          ]
        }, {
          "sources": ["native/unsupported.cc"]
        }]
      ]
    }
  ]
}
